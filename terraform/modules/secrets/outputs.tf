output "secret_arns" {
  description = "Secret ARNs by name (never the values)."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.arn }
}

output "secret_names" {
  description = "Secret names by name."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.name }
}

output "seed_spec" {
  description = "What scripts/seed-secrets.sh generates: per secret its ARN, the JSON keys of its value and their length."
  value = {
    for k, s in aws_secretsmanager_secret.this : k => {
      arn    = s.arn
      keys   = var.secrets[k].keys
      length = var.secrets[k].value_length
    }
  }
}

output "kms_key_arn" {
  description = "KMS key encrypting the secrets."
  value       = local.kms_key_arn
}
