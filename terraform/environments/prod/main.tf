# prod: the whole platform (modules/counterfact) with the resilient, protected choices. Operator
# inputs (region, API CIDRs, admins, certificate, tags) are variables; everything else is here.
module "counterfact" {
  source = "../../modules/counterfact"

  environment = "prod"
  tags        = var.tags

  # Network: three zones, a NAT gateway in each.
  vpc_cidr           = "10.20.0.0/16"
  az_count           = 3
  single_nat_gateway = false

  # EKS
  cluster_endpoint_public_access_cidrs = var.cluster_endpoint_public_access_cidrs
  cluster_admin_principal_arns         = var.cluster_admin_principal_arns
  node_groups = {
    general = {
      instance_types = ["m7i.large"]
      min_size       = 3
      max_size       = 9
      desired_size   = 3
    }
    # Capacity for the estimation workers KEDA scales out on consumer lag.
    estimation = {
      instance_types = ["c7i.xlarge"]
      min_size       = 1
      max_size       = 12
      desired_size   = 2
      labels         = { "counterfact.io/workload" = "estimation" }
    }
  }

  # Databases: multi-AZ, two weeks of backups, deletion protection, final snapshots.
  db_instance_class               = "db.m7g.large"
  db_allocated_storage            = 100
  db_multi_az                     = true
  db_backup_retention_days        = 14
  db_deletion_protection          = true
  db_skip_final_snapshot          = false
  db_performance_insights_enabled = true

  # MSK: a broker per zone.
  msk_broker_instance_type = "kafka.m7g.large"
  msk_broker_count         = 3
  msk_broker_volume_size   = 200

  # ECR and secrets: kept on destroy, deleted secrets recoverable for 30 days.
  ecr_namespace               = "counterfact"
  ecr_force_delete            = false
  secret_recovery_window_days = 30

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
