output "counterfact" {
  description = "Every output of modules/counterfact as one object (cluster, databases, MSK, ECR, roles, secret ARNs, settings): terraform output -json counterfact | jq .databases"
  value       = module.counterfact
}

# Top level because scripts and docs read them with -raw / -json: k8s/overlays/aws, seed-secrets.sh.
output "k8s_overlay_env_file" {
  description = "KEY=value lines of k8s/overlays/aws/terraform-outputs.env: terraform output -raw k8s_overlay_env_file > k8s/overlays/aws/terraform-outputs.env"
  value       = module.counterfact.k8s_overlay_env_file
}

output "kubeconfig_command" {
  description = "Command that adds the cluster to your kubeconfig."
  value       = module.counterfact.kubeconfig_command
}

output "secrets_seed_spec" {
  description = "Input of scripts/seed-secrets.sh: which secrets to fill with generated values."
  value       = module.counterfact.secrets_seed_spec
}

output "region" {
  description = "AWS region."
  value       = module.counterfact.region
}
