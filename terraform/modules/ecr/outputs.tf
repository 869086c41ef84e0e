output "repository_urls" {
  description = "Repository URLs by name (push <url>:<tag>)."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "repository_arns" {
  description = "Repository ARNs by name."
  value       = { for k, r in aws_ecr_repository.this : k => r.arn }
}

output "registry_id" {
  description = "Registry (account) ID; log in with aws ecr get-login-password."
  value       = one(distinct([for r in aws_ecr_repository.this : r.registry_id]))
}

output "scan_on_push" {
  description = "Scan-on-push setting by repository."
  value       = { for k, r in aws_ecr_repository.this : k => r.image_scanning_configuration[0].scan_on_push }
}

output "force_delete" {
  description = "Whether every repository may be deleted with its images in it."
  value       = alltrue([for r in aws_ecr_repository.this : r.force_delete])
}
