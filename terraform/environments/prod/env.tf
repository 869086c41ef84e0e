# The only line that differs between environments/dev and environments/prod besides
# variable defaults (variables.tf) and the backend key: main.tf and outputs.tf are the same.
locals {
  environment = "prod"
}
