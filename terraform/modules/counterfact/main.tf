# The whole counterfact platform on AWS: network, EKS, one RDS PostgreSQL per service, MSK, ECR,
# IRSA roles and the gateway's secrets, wired together. environments/<env> call it once with that
# environment's choices (sizes, zones, protection); everything else is the same everywhere.
locals {
  name = "${var.name}-${var.environment}"

  tags = merge(var.tags, {
    Project     = var.name
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  azs = slice(data.aws_availability_zones.available.names, 0, var.az_count)

  # Every service image (and IRSA role): the three database owners plus the gateway.
  all_services = merge(
    { for k, s in var.services : k => s.service_account },
    { gateway = "gateway" },
  )

  # Kafka permissions per service, used only when MSK requires IAM: the topics of
  # ARCHITECTURE.md and the consumer groups of the services' application.properties
  # (estimation-workers: the command consumers KEDA scales on).
  kafka_access = {
    ingestion = {
      write_topics = ["counterfact.datasets", "counterfact.dataset-chunks"]
    }
    estimation = {
      read_topics     = ["counterfact.datasets", "counterfact.dataset-chunks", "counterfact.estimation-commands"]
      write_topics    = ["counterfact.estimation-commands", "counterfact.estimation-events", "counterfact.datasets.dlq", "counterfact.dataset-chunks.dlq", "counterfact.estimation-commands.dlq"]
      consumer_groups = ["estimation-replica", "estimation-workers"]
    }
    query = {
      read_topics     = ["counterfact.datasets", "counterfact.estimation-events"]
      write_topics    = ["counterfact.datasets.dlq", "counterfact.estimation-events.dlq"]
      consumer_groups = ["query-service"]
    }
  }
}

data "aws_region" "current" {}

data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

module "network" {
  source = "../network"

  name               = local.name
  vpc_cidr           = var.vpc_cidr
  azs                = local.azs
  single_nat_gateway = var.single_nat_gateway
  tags               = local.tags
}

module "eks" {
  source = "../eks"

  cluster_name                 = local.name
  kubernetes_version           = var.kubernetes_version
  vpc_id                       = module.network.vpc_id
  subnet_ids                   = module.network.private_subnet_ids
  endpoint_public_access_cidrs = var.cluster_endpoint_public_access_cidrs
  admin_principal_arns         = var.cluster_admin_principal_arns
  node_groups                  = var.node_groups
  tags                         = local.tags
}

# Database-per-service: one RDS PostgreSQL instance (own KMS key, own master secret,
# own security group) per service, reachable only from the EKS nodes.
module "database" {
  source   = "../rds-postgres"
  for_each = var.services

  identifier                 = "${local.name}-${each.key}"
  db_name                    = each.value.db_name
  engine_version             = var.db_engine_version
  instance_class             = coalesce(each.value.instance_class, var.db_instance_class)
  allocated_storage          = coalesce(each.value.allocated_storage, var.db_allocated_storage)
  multi_az                   = var.db_multi_az
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = { eks_nodes = module.eks.node_security_group_id }
  backup_retention_period    = var.db_backup_retention_days
  deletion_protection        = var.db_deletion_protection
  skip_final_snapshot        = var.db_skip_final_snapshot

  performance_insights_enabled = var.db_performance_insights_enabled
  tags                         = merge(local.tags, { Service = each.key })
}

module "msk" {
  source = "../msk"

  name                       = local.name
  kafka_version              = var.msk_kafka_version
  broker_instance_type       = var.msk_broker_instance_type
  number_of_broker_nodes     = var.msk_broker_count
  broker_volume_size         = var.msk_broker_volume_size
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = { eks_nodes = module.eks.node_security_group_id }
  iam_auth_enabled           = var.msk_iam_auth_enabled
  tags                       = local.tags
}

module "ecr" {
  source = "../ecr"

  name_prefix  = var.ecr_namespace
  repositories = sort(values(local.all_services))
  force_delete = var.ecr_force_delete
  tags         = local.tags
}

# The gateway's API keys and the internal token secret: created here, values seeded
# out of band by terraform/scripts/seed-secrets.sh (never in code, plan, state or outputs).
module "secrets" {
  source = "../secrets"

  name_prefix             = "${var.name}/${var.environment}"
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = local.tags

  secrets = {
    "gateway-api-keys" = {
      description = "API keys of the gateway (token: analyst role, viewer-token: viewer role)"
      keys        = ["token", "viewer-token"]
    }
    "internal" = {
      description  = "HMAC secret of the internal tokens the gateway issues and the services verify"
      keys         = ["secret"]
      value_length = 64
    }
  }
}

# One IRSA role per service: each may read only its own secrets.
module "iam" {
  source = "../iam"

  name_prefix          = local.name
  oidc_provider_arn    = module.eks.oidc_provider_arn
  oidc_provider        = module.eks.oidc_provider
  msk_iam_auth_enabled = var.msk_iam_auth_enabled
  msk_cluster_arn      = module.msk.arn
  tags                 = local.tags

  services = merge(
    {
      for k, s in var.services : k => {
        namespace       = var.k8s_namespace
        service_account = s.service_account
        secret_arns     = [module.database[k].master_user_secret_arn, module.secrets.secret_arns["internal"]]
        kms_key_arns    = [module.database[k].kms_key_arn, module.secrets.kms_key_arn]
        kafka           = lookup(local.kafka_access, k, null)
      }
    },
    {
      gateway = {
        namespace       = var.k8s_namespace
        service_account = "gateway"
        secret_arns     = [module.secrets.secret_arns["gateway-api-keys"], module.secrets.secret_arns["internal"]]
        kms_key_arns    = [module.secrets.kms_key_arn]
      }
    },
  )
}
