variable "identifier" {
  type        = string
  description = "RDS instance identifier (e.g. counterfact-prod-ingestion)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.identifier)) && !endswith(var.identifier, "-") && !strcontains(var.identifier, "--")
    error_message = "identifier must be lowercase letters, digits and single hyphens, start with a letter, at most 63 characters."
  }
}

variable "db_name" {
  type        = string
  description = "Name of the database created in the instance (the owning service's database)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must start with a letter and contain only lowercase letters, digits and underscores."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC of the instance."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets of the DB subnet group (at least two zones). Never public subnets."

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "A DB subnet group needs subnets in at least two availability zones."
  }
}

variable "allowed_security_group_ids" {
  type        = map(string)
  description = "Security groups allowed to connect on the PostgreSQL port, by a static label (e.g. { eks_nodes = sg-... }). Nothing else is admitted."
}

variable "engine_version" {
  type        = string
  description = "PostgreSQL engine version: a major (\"16\", the default minor is picked) or major.minor."
  default     = "16"
}

variable "instance_class" {
  type        = string
  description = "RDS instance class."
  default     = "db.t4g.small"
}

variable "allocated_storage" {
  type        = number
  description = "Initial storage in GiB (gp3)."
  default     = 20
}

variable "max_allocated_storage" {
  type        = number
  description = "Upper bound for storage autoscaling in GiB (0 disables autoscaling)."
  default     = 100
}

variable "multi_az" {
  type        = bool
  description = "Run a synchronous standby in another zone."
  default     = false
}

variable "master_username" {
  type        = string
  description = "Master user name. Its password is generated and rotated by RDS in Secrets Manager, never by Terraform."
  default     = "counterfact"
}

variable "backup_retention_period" {
  type        = number
  description = "Days of automated backups (point-in-time recovery window), 7 to 35."
  default     = 7

  validation {
    condition     = var.backup_retention_period >= 7 && var.backup_retention_period <= 35
    error_message = "backup_retention_period must be between 7 and 35 days."
  }
}

variable "backup_window" {
  type        = string
  description = "Daily backup window (UTC), hh24:mi-hh24:mi."
  default     = "02:00-03:00"
}

variable "maintenance_window" {
  type        = string
  description = "Weekly maintenance window (UTC), ddd:hh24:mi-ddd:hh24:mi."
  default     = "sun:03:30-sun:04:30"
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the instance (turn off explicitly before destroying)."
  default     = true
}

variable "skip_final_snapshot" {
  type        = bool
  description = "Delete without a final snapshot. Leave false in production."
  default     = false
}

variable "delete_automated_backups" {
  type        = bool
  description = "Delete automated backups when the instance is deleted."
  default     = false
}

variable "apply_immediately" {
  type        = bool
  description = "Apply modifications now instead of in the maintenance window."
  default     = false
}

variable "performance_insights_enabled" {
  type        = bool
  description = "Enable Performance Insights (encrypted with the instance's KMS key)."
  default     = false
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for storage, the master-user secret and Performance Insights. Used only when create_kms_key is false."
  default     = null
}

variable "create_kms_key" {
  type        = bool
  description = "Create a dedicated KMS key for this database (one key per service's data)."
  default     = true
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the exported PostgreSQL logs in CloudWatch, in days."
  default     = 30
}

variable "parameters" {
  type        = map(string)
  description = "Extra PostgreSQL parameters (dynamic ones) merged over the module's defaults (rds.force_ssl = 1, ...)."
  default     = {}
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource of the module."
  default     = {}
}
