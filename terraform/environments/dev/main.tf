# dev: the whole platform (modules/counterfact) with the cheaper, disposable choices. Operator
# inputs (region, API CIDRs, admins, certificate, tags) are variables; everything else is here.
module "counterfact" {
  source = "../../modules/counterfact"

  environment = "dev"
  tags        = var.tags

  # Network: two zones behind one NAT gateway.
  vpc_cidr           = "10.10.0.0/16"
  az_count           = 2
  single_nat_gateway = true

  # EKS
  cluster_endpoint_public_access_cidrs = var.cluster_endpoint_public_access_cidrs
  cluster_admin_principal_arns         = var.cluster_admin_principal_arns
  node_groups = {
    general = {
      instance_types = ["t3.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 2
    }
  }

  # Databases: small, single-zone, deletable without a final snapshot.
  db_instance_class               = "db.t4g.small"
  db_allocated_storage            = 20
  db_multi_az                     = false
  db_backup_retention_days        = 7
  db_deletion_protection          = false
  db_skip_final_snapshot          = true
  db_performance_insights_enabled = false

  # MSK: one small broker per zone.
  msk_broker_instance_type = "kafka.t3.small"
  msk_broker_count         = 2
  msk_broker_volume_size   = 50

  # ECR and secrets: destroyable at once.
  ecr_namespace               = "counterfact-dev"
  ecr_force_delete            = true
  secret_recovery_window_days = 0

  acm_certificate_arn = var.acm_certificate_arn
}

# State written before modules/counterfact existed keeps its resources (no destroy/create).
moved {
  from = module.network
  to   = module.counterfact.module.network
}

moved {
  from = module.eks
  to   = module.counterfact.module.eks
}

moved {
  from = module.database
  to   = module.counterfact.module.database
}

moved {
  from = module.msk
  to   = module.counterfact.module.msk
}

moved {
  from = module.ecr
  to   = module.counterfact.module.ecr
}

moved {
  from = module.secrets
  to   = module.counterfact.module.secrets
}

moved {
  from = module.iam
  to   = module.counterfact.module.iam
}
