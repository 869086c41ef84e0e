# The operator's inputs (terraform.tfvars). The environment's own choices are arguments in main.tf.

variable "region" {
  type        = string
  description = "AWS region."
  default     = "eu-west-1"
}

variable "tags" {
  type        = map(string)
  description = "Extra tags merged into every resource (Project, Environment and ManagedBy are always set)."
  default     = {}
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

variable "acm_certificate_arn" {
  type        = string
  description = "ACM certificate of the public host name (for the gateway's ALB); passed through to the k8s overlay."
  default     = ""
}
