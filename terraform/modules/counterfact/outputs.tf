output "region" {
  description = "AWS region."
  value       = data.aws_region.current.name
}

output "cluster_name" {
  description = "EKS cluster name."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "EKS API endpoint."
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "EKS cluster CA (base64)."
  value       = module.eks.cluster_certificate_authority_data
}

output "kubeconfig_command" {
  description = "Command that adds the cluster to your kubeconfig."
  value       = "aws eks update-kubeconfig --region ${data.aws_region.current.name} --name ${module.eks.cluster_name}"
}

output "node_groups" {
  description = "Managed node groups and their scaling bounds."
  value       = module.eks.node_groups
}

output "vpc_id" {
  description = "VPC ID."
  value       = module.network.vpc_id
}

output "vpc_cidr" {
  description = "VPC CIDR: the address range RDS and MSK live in (DATA_CIDR of the k8s overlay)."
  value       = module.network.vpc_cidr_block
}

output "databases" {
  description = "Per service: its own RDS PostgreSQL endpoint, port, database name, JDBC URL and the ARN of its master-user secret (JSON username/password, managed and rotated by RDS)."
  value = {
    for k, db in module.database : k => {
      identifier = db.identifier
      host       = db.address
      port       = db.port
      db_name    = db.db_name
      jdbc_url   = "jdbc:postgresql://${db.address}:${db.port}/${db.db_name}?sslmode=require"
      secret_arn = db.master_user_secret_arn
    }
  }
}

output "msk_bootstrap_brokers_tls" {
  description = "MSK bootstrap servers of the client listener (TLS on 9094, or SASL/IAM on 9098 with msk_iam_auth_enabled)."
  value       = module.msk.bootstrap_brokers
}

output "msk_security_protocol" {
  description = "Kafka security.protocol for the clients (SSL, or SASL_SSL with IAM)."
  value       = module.msk.security_protocol
}

output "ecr_repository_urls" {
  description = "ECR repository URL per service image."
  value       = module.ecr.repository_urls
}

output "ecr_repository_prefix" {
  description = "<registry>/<namespace>: images are <prefix>/<service>:<tag>."
  value       = local.ecr_repository_prefix
}

output "service_role_arns" {
  description = "IRSA role ARN per service (annotation eks.amazonaws.com/role-arn on its service account)."
  value       = module.iam.role_arns
}

output "secret_arns" {
  description = "Secrets Manager ARNs of the gateway API keys and the internal token secret (values are never outputs)."
  value       = module.secrets.secret_arns
}

output "secrets_seed_spec" {
  description = "Input of scripts/seed-secrets.sh: which secrets to fill with generated values."
  value       = module.secrets.seed_spec
}

output "k8s_overlay_env" {
  description = "Values for k8s/overlays/aws/terraform-outputs.env, by key."
  value       = local.k8s_overlay_env
}

output "k8s_overlay_env_file" {
  description = "k8s_overlay_env as KEY=value lines: terraform output -raw k8s_overlay_env_file > k8s/overlays/aws/terraform-outputs.env"
  value       = join("", [for k in sort(keys(local.k8s_overlay_env)) : "${k}=${local.k8s_overlay_env[k]}\n"])
}

locals {
  ecr_repository_prefix = "${split("/", values(module.ecr.repository_urls)[0])[0]}/${var.ecr_namespace}"

  # Keys read by k8s/overlays/aws (kustomize replacements); the *_ARN keys are for the
  # service-account annotations and the secret sync (terraform/README.md).
  k8s_overlay_env = merge(
    { for k, db in module.database : "${upper(k)}_JDBC_URL" => "jdbc:postgresql://${db.address}:${db.port}/${db.db_name}?sslmode=require" },
    { for k, db in module.database : "${upper(k)}_DB_SECRET_ARN" => db.master_user_secret_arn },
    { for k, arn in module.iam.role_arns : "${upper(k)}_ROLE_ARN" => arn },
    {
      KAFKA_BOOTSTRAP_SERVERS     = module.msk.bootstrap_brokers
      KAFKA_SECURITY_PROTOCOL     = module.msk.security_protocol
      DATA_CIDR                   = module.network.vpc_cidr_block
      ECR_REPOSITORY_PREFIX       = local.ecr_repository_prefix
      ACM_CERTIFICATE_ARN         = var.acm_certificate_arn
      GATEWAY_API_KEYS_SECRET_ARN = module.secrets.secret_arns["gateway-api-keys"]
      INTERNAL_SECRET_ARN         = module.secrets.secret_arns["internal"]
      AWS_REGION                  = data.aws_region.current.name
      EKS_CLUSTER_NAME            = module.eks.cluster_name
    },
  )
}

output "settings" {
  description = "The environment's choices as the resources carry them (zones, NAT gateways, database protection and sizes, brokers, node groups, ECR force_delete, secret recovery window): for reviews and the environment tests."
  value = {
    environment  = var.environment
    azs          = module.network.azs
    nat_gateways = length(module.network.nat_gateway_ids)
    databases = {
      for k, db in module.database : k => {
        instance_class            = db.instance_class
        multi_az                  = db.multi_az
        backup_retention_period   = db.backup_retention_period
        deletion_protection       = db.deletion_protection
        final_snapshot_identifier = db.final_snapshot_identifier
        performance_insights      = db.performance_insights_enabled
      }
    }
    msk_broker_count            = module.msk.number_of_broker_nodes
    msk_broker_instance_type    = module.msk.broker_instance_type
    node_groups                 = module.eks.node_groups
    ecr_force_delete            = module.ecr.force_delete
    secret_recovery_window_days = var.secret_recovery_window_days
  }
}
