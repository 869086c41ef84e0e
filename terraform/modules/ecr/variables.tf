variable "name_prefix" {
  type        = string
  description = "Prefix of every repository name (repositories are <prefix>/<name>)."
}

variable "repositories" {
  type        = list(string)
  description = "Repository names, one per service image (e.g. gateway, ingestion-service)."

  validation {
    condition     = length(var.repositories) > 0 && length(distinct(var.repositories)) == length(var.repositories)
    error_message = "repositories must be a non-empty list of distinct names."
  }
}

variable "image_tag_mutability" {
  type        = string
  description = "IMMUTABLE (a tag always names the same image) or MUTABLE."
  default     = "IMMUTABLE"

  validation {
    condition     = contains(["IMMUTABLE", "MUTABLE"], var.image_tag_mutability)
    error_message = "image_tag_mutability must be IMMUTABLE or MUTABLE."
  }
}

variable "scan_on_push" {
  type        = bool
  description = "Scan every pushed image for vulnerabilities."
  default     = true
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for image encryption; null uses the AWS-managed ECR key (encryption type KMS either way)."
  default     = null
}

variable "keep_image_count" {
  type        = number
  description = "Lifecycle: keep at most this many images per repository (oldest expire first)."
  default     = 50
}

variable "untagged_expiry_days" {
  type        = number
  description = "Lifecycle: expire untagged images (e.g. superseded layers of multi-arch builds) after this many days."
  default     = 7
}

variable "force_delete" {
  type        = bool
  description = "Allow destroying a repository that still holds images (dev only)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource of the module."
  default     = {}
}
