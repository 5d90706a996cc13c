# Models arrive with the sessions issue.
