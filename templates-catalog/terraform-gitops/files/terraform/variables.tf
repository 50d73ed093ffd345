variable "project" {
  description = "Project name: prefixes resource names and tags every resource."
  type        = string
  default     = "[[ params.project ]]"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", var.project))
    error_message = "The project name must be 4-30 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the resources."
  type        = string
  default     = "[[ params.region ]]"
}

variable "environment" {
  description = "Environment name, used in resource names and tags."
  type        = string
  default     = "[[ params.environment ]]"
}

variable "tags" {
  description = "Extra tags for every resource (merged with the default tags)."
  type        = map(string)
  default     = {}
}
