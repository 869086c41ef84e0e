output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "azs" {
  description = "Availability zones the subnets are spread over."
  value       = var.azs
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, in the order of azs."
  value       = [for az in var.azs : aws_subnet.private[az].id]
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, in the order of azs."
  value       = [for az in var.azs : aws_subnet.public[az].id]
}

output "private_subnet_cidrs" {
  description = "CIDR blocks of the private subnets, in the order of azs."
  value       = [for az in var.azs : aws_subnet.private[az].cidr_block]
}

output "public_subnet_cidrs" {
  description = "CIDR blocks of the public subnets, in the order of azs."
  value       = [for az in var.azs : aws_subnet.public[az].cidr_block]
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (one, or one per zone)."
  value       = [for az in local.nat_azs : aws_nat_gateway.this[az].id]
}

output "nat_public_ips" {
  description = "Public IPs the private subnets egress from."
  value       = [for az in local.nat_azs : aws_eip.nat[az].public_ip]
}
