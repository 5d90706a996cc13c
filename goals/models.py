# Models arrive with the goals issue.
