variable "name" {
  type        = string
  description = "Name of the MSK cluster."
}

variable "kafka_version" {
  type        = string
  description = "Apache Kafka version of the brokers (an MSK version string)."
  default     = "3.8.x"
}

variable "broker_instance_type" {
  type        = string
  description = "MSK broker instance type."
  default     = "kafka.m7g.large"
}

variable "number_of_broker_nodes" {
  type        = number
  description = "Number of brokers: a multiple of the number of subnets (one broker set per zone)."
  default     = 3

  validation {
    condition     = var.number_of_broker_nodes % length(var.subnet_ids) == 0
    error_message = "number_of_broker_nodes must be a multiple of the number of subnets."
  }
}

variable "broker_volume_size" {
  type        = number
  description = "EBS storage per broker, GiB."
  default     = 100
}

variable "vpc_id" {
  type        = string
  description = "VPC of the cluster."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets for the brokers, one per zone (2 or 3)."

  validation {
    condition     = length(var.subnet_ids) >= 2 && length(var.subnet_ids) <= 3
    error_message = "MSK needs 2 or 3 client subnets in distinct zones."
  }
}

variable "allowed_security_group_ids" {
  type        = map(string)
  description = "Security groups allowed to reach the brokers, by a static label (e.g. { eks_nodes = sg-... }). Nothing else is admitted."
}

variable "iam_auth_enabled" {
  type        = bool
  description = "Require IAM (SASL/IAM, port 9098) client authentication instead of TLS-only unauthenticated access (port 9094). Clients then need the aws-msk-iam-auth library."
  default     = false
}

variable "server_properties" {
  type        = map(string)
  description = "Broker properties merged over the module's defaults."
  default     = {}
}

variable "create_kms_key" {
  type        = bool
  description = "Create a dedicated KMS key for encryption at rest."
  default     = true
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for encryption at rest, used only when create_kms_key is false."
  default     = null
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the broker log group, in days."
  default     = 30
}

variable "enhanced_monitoring" {
  type        = string
  description = "MSK CloudWatch monitoring level: DEFAULT, PER_BROKER, PER_TOPIC_PER_BROKER or PER_TOPIC_PER_PARTITION."
  default     = "PER_BROKER"
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource of the module."
  default     = {}
}
