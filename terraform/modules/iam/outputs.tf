output "role_arns" {
  description = "IRSA role ARN by service (annotate the service account with eks.amazonaws.com/role-arn)."
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}

output "role_names" {
  description = "IRSA role name by service."
  value       = { for k, r in aws_iam_role.this : k => r.name }
}

output "policies" {
  description = "The inline policy document (JSON) of each service role, for review."
  value       = { for k, p in aws_iam_role_policy.this : k => p.policy }
}
