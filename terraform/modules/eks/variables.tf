variable "cluster_name" {
  type        = string
  description = "Name of the EKS cluster."
}

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes minor version of the control plane (e.g. 1.33)."
  default     = "1.33"
}

variable "vpc_id" {
  type        = string
  description = "VPC the cluster and its nodes live in."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets for the control-plane ENIs and the managed node groups (at least two zones)."

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "EKS needs subnets in at least two availability zones."
  }
}

variable "endpoint_public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the public Kubernetes API endpoint. Empty: the endpoint is private only (reach it from inside the VPC or over a VPN)."
  default     = []

  validation {
    condition     = alltrue([for c in var.endpoint_public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "endpoint_public_access_cidrs must be IPv4 CIDR blocks."
  }
}

variable "cluster_log_types" {
  type        = list(string)
  description = "Control-plane log types sent to CloudWatch."
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  validation {
    condition     = alltrue([for t in var.cluster_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "cluster_log_types may contain only api, audit, authenticator, controllerManager and scheduler."
  }
}

variable "cluster_log_retention_days" {
  type        = number
  description = "Retention of the control-plane log group, in days."
  default     = 90
}

variable "admin_principal_arns" {
  type        = list(string)
  description = "IAM principals (roles or users) granted cluster-admin through EKS access entries, besides the identity that creates the cluster."
  default     = []
}

variable "node_groups" {
  type = map(object({
    instance_types  = list(string)
    min_size        = number
    max_size        = number
    desired_size    = number
    capacity_type   = optional(string, "ON_DEMAND")
    ami_type        = optional(string, "AL2023_x86_64_STANDARD")
    disk_size_gb    = optional(number, 50)
    max_unavailable = optional(number, 1)
    labels          = optional(map(string), {})
  }))
  description = "Managed node groups, by name. Scaling bounds: min_size <= desired_size <= max_size (desired_size is only the initial size: later changes are left to the cluster autoscaler)."

  validation {
    condition     = length(var.node_groups) > 0
    error_message = "At least one node group is required."
  }

  validation {
    condition = alltrue([
      for g in values(var.node_groups) : g.min_size >= 0 && g.max_size >= 1 && g.min_size <= g.desired_size && g.desired_size <= g.max_size
    ])
    error_message = "Every node group needs 0 <= min_size <= desired_size <= max_size and max_size >= 1."
  }

  validation {
    condition     = alltrue([for g in values(var.node_groups) : contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
    error_message = "capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "node_metadata_hop_limit" {
  type        = number
  description = "IMDSv2 hop limit on the nodes. 1 keeps pods (which use IRSA) away from the node role's credentials."
  default     = 1
}

variable "addons" {
  type = map(object({
    version              = optional(string)
    configuration_values = optional(string)
  }))
  description = "EKS managed add-ons to install, by name: version null means the cluster's default version; configuration_values is the add-on's JSON configuration."
  default = {
    # enableNetworkPolicy: the VPC CNI enforces Kubernetes NetworkPolicies (the k8s manifests are default-deny).
    "vpc-cni"        = { configuration_values = "{\"enableNetworkPolicy\":\"true\"}" }
    "kube-proxy"     = {}
    "coredns"        = {}
    "metrics-server" = {}
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource of the module."
  default     = {}
}
