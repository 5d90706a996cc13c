# Models arrive with the resources issue.
