variable "name_prefix" {
  type        = string
  description = "Prefix of every role name (roles are <prefix>-<service>)."
}

variable "oidc_provider_arn" {
  type        = string
  description = "ARN of the EKS cluster's IAM OIDC provider (IRSA)."
}

variable "oidc_provider" {
  type        = string
  description = "OIDC issuer of the cluster without https:// (prefix of the :sub and :aud condition keys)."

  validation {
    condition     = !startswith(var.oidc_provider, "https://")
    error_message = "oidc_provider must not include the https:// scheme."
  }
}

variable "services" {
  type = map(object({
    namespace       = string
    service_account = string
    secret_arns     = optional(list(string), [])
    kms_key_arns    = optional(list(string), [])
    kafka = optional(object({
      read_topics     = optional(list(string), [])
      write_topics    = optional(list(string), [])
      consumer_groups = optional(list(string), [])
    }))
  }))
  description = <<-EOT
    One IRSA role per service, assumable only by its Kubernetes service account
    (namespace/service_account). The role may read exactly secret_arns (and decrypt them
    with kms_key_arns, only through Secrets Manager and only for those secrets) and,
    when MSK IAM authentication is on, use exactly its topics and consumer groups.
  EOT
}

variable "msk_iam_auth_enabled" {
  type        = bool
  description = "Grant the kafka-cluster permissions of each service's kafka entry (needed only when MSK requires IAM authentication)."
  default     = false
}

variable "msk_cluster_arn" {
  type        = string
  description = "ARN of the MSK cluster, used when msk_iam_auth_enabled."
  default     = null
}

variable "permissions_boundary_arn" {
  type        = string
  description = "Permissions boundary attached to every role (optional)."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource of the module."
  default     = {}
}
