output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Endpoint of the Kubernetes API server."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the cluster (public, for kubeconfig)."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = aws_eks_cluster.this.version
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the control plane and nodes."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "cluster_log_types" {
  description = "Control-plane log types enabled."
  value       = aws_eks_cluster.this.enabled_cluster_log_types
}

output "node_security_group_id" {
  description = "Security group of the managed nodes (and so of the pods): the source RDS and MSK admit."
  value       = aws_security_group.node.id
}

output "node_role_arn" {
  description = "IAM role of the managed nodes."
  value       = aws_iam_role.node.arn
}

output "node_groups" {
  description = "Managed node groups: scaling bounds and instance types."
  value = {
    for name, g in aws_eks_node_group.this : name => {
      min_size       = g.scaling_config[0].min_size
      max_size       = g.scaling_config[0].max_size
      desired_size   = g.scaling_config[0].desired_size
      instance_types = g.instance_types
      capacity_type  = g.capacity_type
    }
  }
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider for IRSA."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster."
  value       = aws_eks_cluster.this.identity[0].oidc[0].issuer
}

output "oidc_provider" {
  description = "OIDC issuer without the scheme: the prefix of the IRSA condition keys (<provider>:sub, <provider>:aud)."
  value       = replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
}

output "kms_key_arn" {
  description = "KMS key encrypting Kubernetes secrets."
  value       = aws_kms_key.this.arn
}
