variable "environment" {
  type        = string
  description = "Environment name (dev, prod, ...): second part of every resource name (<name>-<environment>-...) and the Environment tag."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.environment))
    error_message = "environment must be lower-case letters, digits and dashes, at most 16 characters."
  }
}

variable "name" {
  type        = string
  description = "Project name: prefix of every resource name (<name>-<environment>-...)."
  default     = "counterfact"
}

variable "tags" {
  type        = map(string)
  description = "Extra tags merged into every resource (Project, Environment and ManagedBy are always set)."
  default     = {}
}

# --- network -------------------------------------------------------------------

variable "vpc_cidr" {
  type        = string
  description = "IPv4 CIDR of the VPC."
}

variable "az_count" {
  type        = number
  description = "Number of availability zones to use (2 or 3; MSK brokers are spread over them)."

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all zones (cheaper) instead of one per zone."
  default     = false
}

# --- EKS -------------------------------------------------------------------------

variable "kubernetes_version" {
  type        = string
  description = "EKS Kubernetes version."
  default     = "1.33"
}

variable "cluster_endpoint_public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the Kubernetes API from outside the VPC (your office/VPN egress). Empty: private endpoint only."
  default     = []
}

variable "cluster_admin_principal_arns" {
  type        = list(string)
  description = "IAM roles/users given cluster-admin (besides the identity running terraform apply)."
  default     = []
}

variable "node_groups" {
  type = map(object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
    capacity_type  = optional(string, "ON_DEMAND")
    disk_size_gb   = optional(number, 50)
    labels         = optional(map(string), {})
  }))
  description = "EKS managed node groups with their scaling bounds (min_size <= desired_size <= max_size)."
}

variable "k8s_namespace" {
  type        = string
  description = "Kubernetes namespace of the services (the IRSA trust names its service accounts)."
  default     = "counterfact"
}

# --- databases (one RDS PostgreSQL per service) ---------------------------------

variable "services" {
  type = map(object({
    db_name           = string
    service_account   = string
    instance_class    = optional(string)
    allocated_storage = optional(number)
  }))
  description = "The services that own a database: one RDS PostgreSQL instance each (database-per-service)."
  default = {
    ingestion  = { db_name = "ingestion", service_account = "ingestion-service" }
    estimation = { db_name = "estimation", service_account = "estimation-service" }
    query      = { db_name = "query", service_account = "query-service" }
  }
}

variable "db_engine_version" {
  type        = string
  description = "PostgreSQL version of every database."
  default     = "16"
}

variable "db_instance_class" {
  type        = string
  description = "Default RDS instance class (a service may override it)."
}

variable "db_allocated_storage" {
  type        = number
  description = "Default initial storage per database, GiB."
  default     = 20
}

variable "db_multi_az" {
  type        = bool
  description = "Standby in a second zone for every database."
  default     = true
}

variable "db_backup_retention_days" {
  type        = number
  description = "Days of automated backups (at least 7)."
  default     = 14
}

variable "db_deletion_protection" {
  type        = bool
  description = "Deletion protection on every database."
  default     = true
}

variable "db_skip_final_snapshot" {
  type        = bool
  description = "Destroy databases without a final snapshot."
  default     = false
}

variable "db_performance_insights_enabled" {
  type        = bool
  description = "Performance Insights on every database."
  default     = true
}

# --- MSK -------------------------------------------------------------------------

variable "msk_kafka_version" {
  type        = string
  description = "MSK Kafka version."
  default     = "3.8.x"
}

variable "msk_broker_instance_type" {
  type        = string
  description = "MSK broker instance type."
}

variable "msk_broker_count" {
  type        = number
  description = "Number of MSK brokers (a multiple of az_count)."
}

variable "msk_broker_volume_size" {
  type        = number
  description = "EBS storage per broker, GiB."
  default     = 50
}

variable "msk_iam_auth_enabled" {
  type        = bool
  description = "Require IAM authentication on MSK (the services then need the aws-msk-iam-auth client library)."
  default     = false
}

# --- ECR, secrets, ingress ------------------------------------------------------------

variable "ecr_namespace" {
  type        = string
  description = "ECR repository namespace: images are <registry>/<ecr_namespace>/<service>."
}

variable "secret_recovery_window_days" {
  type        = number
  description = "Recovery window of deleted secrets (0: delete at once)."
  default     = 30
}

variable "ecr_force_delete" {
  type        = bool
  description = "Let terraform destroy ECR repositories that still hold images."
  default     = false
}

variable "acm_certificate_arn" {
  type        = string
  description = "ACM certificate of the public host name (for the gateway's ALB); passed through to the k8s overlay."
  default     = ""
}
