variable "name" {
  type        = string
  description = "Name prefix for every network resource (e.g. counterfact-dev)."
}

variable "vpc_cidr" {
  type        = string
  description = "IPv4 CIDR block of the VPC."
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a valid IPv4 CIDR block."
  }
}

variable "azs" {
  type        = list(string)
  description = "Availability zones to spread the subnets over (one public and one private subnet per zone)."

  validation {
    condition     = length(var.azs) >= 2
    error_message = "At least two availability zones are required (EKS, RDS subnet groups and MSK need them)."
  }
}

variable "private_subnet_cidrs" {
  type        = list(string)
  description = "CIDR of the private subnet in each zone, in the order of azs. Empty: /20s carved from the start of vpc_cidr."
  default     = []
}

variable "public_subnet_cidrs" {
  type        = list(string)
  description = "CIDR of the public subnet in each zone, in the order of azs. Empty: /24s carved from the top of vpc_cidr."
  default     = []
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all zones (cheaper, not zone-redundant) instead of one per zone."
  default     = false
}

variable "enable_flow_logs" {
  type        = bool
  description = "Send VPC flow logs (all traffic) to a CloudWatch log group."
  default     = true
}

variable "flow_log_retention_days" {
  type        = number
  description = "Retention of the flow-log log group, in days."
  default     = 30
}

variable "tags" {
  type        = map(string)
  description = "Tags merged into every resource of the module."
  default     = {}
}
