output "arn" {
  description = "ARN of the MSK cluster."
  value       = aws_msk_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the MSK cluster."
  value       = aws_msk_cluster.this.cluster_name
}

output "bootstrap_brokers" {
  description = "Bootstrap servers of the enabled client listener (TLS 9094, or SASL/IAM 9098 when iam_auth_enabled)."
  value       = local.bootstrap_brokers
}

output "bootstrap_brokers_tls" {
  description = "Bootstrap servers of the TLS listener (empty when IAM authentication is required)."
  value       = aws_msk_cluster.this.bootstrap_brokers_tls
}

output "bootstrap_brokers_sasl_iam" {
  description = "Bootstrap servers of the SASL/IAM listener (empty unless iam_auth_enabled)."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
}

output "security_protocol" {
  description = "Kafka client security.protocol to use (SSL, or SASL_SSL with IAM)."
  value       = var.iam_auth_enabled ? "SASL_SSL" : "SSL"
}

output "iam_auth_enabled" {
  description = "Whether clients authenticate with IAM."
  value       = var.iam_auth_enabled
}

output "security_group_id" {
  description = "Security group of the brokers."
  value       = aws_security_group.this.id
}

output "kms_key_arn" {
  description = "KMS key encrypting the brokers' storage."
  value       = local.kms_key_arn
}

output "encryption_in_transit" {
  description = "In-transit encryption settings (client_broker, in_cluster)."
  value = {
    client_broker = aws_msk_cluster.this.encryption_info[0].encryption_in_transit[0].client_broker
    in_cluster    = aws_msk_cluster.this.encryption_info[0].encryption_in_transit[0].in_cluster
  }
}

output "number_of_broker_nodes" {
  description = "Number of brokers."
  value       = aws_msk_cluster.this.number_of_broker_nodes
}

output "broker_instance_type" {
  description = "Broker instance type."
  value       = aws_msk_cluster.this.broker_node_group_info[0].instance_type
}
