variable "name_prefix" {
  type        = string
  description = "Prefix of every secret name (secrets are <prefix>/<name>)."
}

variable "secrets" {
  type = map(object({
    description  = string
    keys         = list(string)
    value_length = optional(number, 48)
  }))
  description = <<-EOT
    Secrets by name. Terraform creates each secret (name, KMS key, tags) but never its
    value: the value is a JSON object with one entry per name in keys, generated out of
    band by terraform/scripts/seed-secrets.sh (Secrets Manager's GetRandomPassword, written
    with PutSecretValue) or supplied by an operator. No value is ever in code, plan,
    state or outputs.
  EOT

  validation {
    condition     = alltrue([for s in values(var.secrets) : length(s.keys) > 0 && s.value_length >= 32 && s.value_length <= 4096])
    error_message = "Every secret needs at least one key and a value_length between 32 and 4096."
  }
}

variable "create_kms_key" {
  type        = bool
  description = "Create a dedicated KMS key for the secrets."
  default     = true
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for the secrets, used only when create_kms_key is false."
  default     = null
}

variable "recovery_window_in_days" {
  type        = number
  description = "Days a deleted secret can still be restored (0 deletes at once; 7 to 30 otherwise)."
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource of the module."
  default     = {}
}
