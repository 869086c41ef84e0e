output "identifier" {
  description = "RDS instance identifier."
  value       = aws_db_instance.this.identifier
}

output "arn" {
  description = "ARN of the RDS instance."
  value       = aws_db_instance.this.arn
}

output "address" {
  description = "Host name of the instance (private DNS)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.this.port
}

output "db_name" {
  description = "Name of the service's database."
  value       = aws_db_instance.this.db_name
}

output "master_username" {
  description = "Master user name (the password is only in Secrets Manager)."
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS manages for the master user (JSON with username and password)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "kms_key_arn" {
  description = "KMS key encrypting the storage and the master-user secret."
  value       = local.kms_key_arn
}

output "security_group_id" {
  description = "Security group of the instance."
  value       = aws_security_group.this.id
}

output "publicly_accessible" {
  description = "Whether the instance has a public address (always false)."
  value       = aws_db_instance.this.publicly_accessible
}

output "storage_encrypted" {
  description = "Whether storage is encrypted at rest (always true)."
  value       = aws_db_instance.this.storage_encrypted
}

output "backup_retention_period" {
  description = "Days of automated backups."
  value       = aws_db_instance.this.backup_retention_period
}

output "deletion_protection" {
  description = "Whether deletion protection is on."
  value       = aws_db_instance.this.deletion_protection
}

output "final_snapshot_identifier" {
  description = "Snapshot taken when the instance is deleted (null when skipped)."
  value       = aws_db_instance.this.final_snapshot_identifier
}

output "multi_az" {
  description = "Whether a standby runs in another zone."
  value       = aws_db_instance.this.multi_az
}

output "instance_class" {
  description = "Instance class."
  value       = aws_db_instance.this.instance_class
}

output "performance_insights_enabled" {
  description = "Whether Performance Insights is on."
  value       = aws_db_instance.this.performance_insights_enabled
}
