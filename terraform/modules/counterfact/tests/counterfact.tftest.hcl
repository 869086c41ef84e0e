# The platform module on its own, offline: every AWS resource is mocked (shared mock data in
# terraform/mocks/aws). What holds in every environment is asserted here; environments/*/tests
# assert only their own choices.
mock_provider "aws" {
  source = "../../mocks/aws"
}

# The choices an environment must make (no defaults); the protection settings keep their defaults.
variables {
  environment              = "test"
  vpc_cidr                 = "10.30.0.0/16"
  az_count                 = 2
  db_instance_class        = "db.t4g.small"
  msk_broker_instance_type = "kafka.t3.small"
  msk_broker_count         = 2
  ecr_namespace            = "counterfact-test"
  node_groups = {
    general = {
      instance_types = ["t3.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 2
    }
  }
}

# Distinct secret ARNs, so that "each service reads only its own secrets" means something.
override_resource {
  target = module.database["ingestion"].aws_db_instance.this
  values = {
    address            = "counterfact-test-ingestion.abc.eu-west-1.rds.amazonaws.com"
    master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-ingestion-AbCdEf", kms_key_id = "k", secret_status = "active" }]
  }
}

override_resource {
  target = module.database["estimation"].aws_db_instance.this
  values = {
    address            = "counterfact-test-estimation.abc.eu-west-1.rds.amazonaws.com"
    master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-estimation-AbCdEf", kms_key_id = "k", secret_status = "active" }]
  }
}

override_resource {
  target = module.database["query"].aws_db_instance.this
  values = {
    address            = "counterfact-test-query.abc.eu-west-1.rds.amazonaws.com"
    master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-query-AbCdEf", kms_key_id = "k", secret_status = "active" }]
  }
}

override_resource {
  target = module.secrets.aws_secretsmanager_secret.this["gateway-api-keys"]
  values = {
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:counterfact/test/gateway-api-keys-AbCdEf"
  }
}

override_resource {
  target = module.secrets.aws_secretsmanager_secret.this["internal"]
  values = {
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:counterfact/test/internal-AbCdEf"
  }
}

run "plan_database_per_service_private_encrypted_backed_up_protected_by_default" {
  command = plan

  assert {
    condition     = length(module.database) == 3 && toset(keys(module.database)) == toset(["ingestion", "estimation", "query"])
    error_message = "Exactly three RDS instances: ingestion, estimation, query."
  }

  assert {
    condition     = length(distinct([for db in module.database : db.identifier])) == 3
    error_message = "The three databases must be separate instances."
  }

  assert {
    condition     = { for k, db in module.database : k => db.db_name } == { ingestion = "ingestion", estimation = "estimation", query = "query" }
    error_message = "Each instance holds only its own service's database."
  }

  assert {
    condition     = alltrue([for db in module.database : db.publicly_accessible == false])
    error_message = "No database may be publicly accessible."
  }

  assert {
    condition     = alltrue([for db in module.database : db.storage_encrypted == true])
    error_message = "Every database must be encrypted at rest."
  }

  assert {
    condition     = alltrue([for db in module.database : db.backup_retention_period >= 7])
    error_message = "Backups must be on (retention >= 7 days) for every database."
  }

  assert {
    condition     = alltrue([for k, db in module.database : db.deletion_protection == true && db.final_snapshot_identifier == "counterfact-test-${k}-final"])
    error_message = "By default databases have deletion protection and take a final snapshot."
  }

  assert {
    condition     = alltrue([for db in module.database : db.multi_az == true && db.backup_retention_period == 14])
    error_message = "By default databases run multi-AZ with two weeks of backups."
  }

  assert {
    condition     = length(module.network.azs) == 2 && length(module.network.nat_gateway_ids) == 2
    error_message = "By default every zone gets its own NAT gateway."
  }

  assert {
    condition     = module.msk.iam_auth_enabled == false && module.msk.number_of_broker_nodes == 2
    error_message = "MSK: the TLS listener (IAM auth is opt-in), the brokers asked for."
  }

  assert {
    condition     = module.ecr.force_delete == false
    error_message = "By default ECR repositories holding images are not destroyed."
  }

  assert {
    condition     = module.msk.encryption_in_transit.client_broker == "TLS" && module.msk.encryption_in_transit.in_cluster == true && module.msk.security_protocol == "SSL"
    error_message = "MSK must encrypt client (TLS only) and in-cluster traffic."
  }

  assert {
    condition     = toset(keys(module.ecr.scan_on_push)) == toset(["gateway", "ingestion-service", "estimation-service", "query-service"])
    error_message = "One ECR repository per service image."
  }

  assert {
    condition     = alltrue(values(module.ecr.scan_on_push))
    error_message = "Every ECR repository scans on push."
  }

  assert {
    condition     = module.eks.node_groups["general"].min_size == 2 && module.eks.node_groups["general"].max_size == 4 && module.eks.node_groups["general"].desired_size == 2
    error_message = "Node group scaling bounds must be those given."
  }

  assert {
    condition     = length(module.eks.cluster_log_types) == 5
    error_message = "All control-plane log types must be on."
  }
}

run "plan_node_group_bounds_follow_the_variables" {
  command = plan

  variables {
    node_groups = {
      general = {
        instance_types = ["t3.large"]
        min_size       = 1
        max_size       = 5
        desired_size   = 3
      }
      estimation = {
        instance_types = ["c7i.xlarge"]
        min_size       = 0
        max_size       = 8
        desired_size   = 0
        capacity_type  = "SPOT"
      }
    }
  }

  assert {
    condition     = module.eks.node_groups["general"].min_size == 1 && module.eks.node_groups["general"].max_size == 5 && module.eks.node_groups["general"].desired_size == 3
    error_message = "general: scaling bounds must be those configured."
  }

  assert {
    condition     = module.eks.node_groups["estimation"].min_size == 0 && module.eks.node_groups["estimation"].max_size == 8 && module.eks.node_groups["estimation"].capacity_type == "SPOT"
    error_message = "estimation: scaling bounds must be those configured."
  }
}

run "apply_outputs_feed_the_aws_overlay_and_roles_are_least_privilege" {
  assert {
    condition = alltrue([
      for k in ["ingestion", "estimation", "query"] :
      output.databases[k].host == "counterfact-test-${k}.abc.eu-west-1.rds.amazonaws.com" &&
      output.databases[k].port == 5432 &&
      output.databases[k].db_name == k &&
      output.databases[k].secret_arn == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-${k}-AbCdEf"
    ])
    error_message = "Per-service endpoint, port, database name and secret ARN must be outputs."
  }

  assert {
    condition     = strcontains(output.msk_bootstrap_brokers_tls, ":9094")
    error_message = "MSK TLS bootstrap brokers must be an output."
  }

  assert {
    condition     = length(output.ecr_repository_urls) == 4 && output.ecr_repository_prefix == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/counterfact-test"
    error_message = "ECR repository URLs and the image prefix must be outputs."
  }

  assert {
    condition     = toset(keys(output.service_role_arns)) == toset(["gateway", "ingestion", "estimation", "query"])
    error_message = "A role ARN per service must be an output."
  }

  assert {
    condition     = output.cluster_name == "counterfact-test" && startswith(output.cluster_endpoint, "https://")
    error_message = "Cluster name and endpoint must be outputs."
  }

  assert {
    condition = alltrue([
      for k in ["INGESTION_JDBC_URL", "ESTIMATION_JDBC_URL", "QUERY_JDBC_URL", "KAFKA_BOOTSTRAP_SERVERS", "DATA_CIDR", "ECR_REPOSITORY_PREFIX", "ACM_CERTIFICATE_ARN"] :
      strcontains(output.k8s_overlay_env_file, "\n${k}=") || startswith(output.k8s_overlay_env_file, "${k}=")
    ])
    error_message = "The overlay env file must carry every key k8s/overlays/aws reads."
  }

  assert {
    condition     = output.k8s_overlay_env["QUERY_JDBC_URL"] == "jdbc:postgresql://counterfact-test-query.abc.eu-west-1.rds.amazonaws.com:5432/query?sslmode=require"
    error_message = "JDBC URLs must require TLS and name the service's own database."
  }

  assert {
    condition = alltrue(flatten([
      for k in ["ingestion", "estimation", "query"] : [
        strcontains(module.iam.policies[k], "rds!db-${k}-"),
        strcontains(module.iam.policies[k], "counterfact/test/internal-"),
        !strcontains(module.iam.policies[k], "gateway-api-keys"),
        [for other in setsubtract(["ingestion", "estimation", "query"], [k]) : !strcontains(module.iam.policies[k], "rds!db-${other}-")],
      ]
    ]))
    error_message = "Each service role may read its own database secret and the internal secret, nothing else."
  }

  assert {
    condition     = strcontains(module.iam.policies["gateway"], "gateway-api-keys") && !strcontains(module.iam.policies["gateway"], "rds!db-")
    error_message = "The gateway reads its API keys and no database secret."
  }

  assert {
    condition     = toset(keys(output.secret_arns)) == toset(["gateway-api-keys", "internal"]) && length(output.secrets_seed_spec) == 2
    error_message = "The gateway API keys and internal secret ARNs (and their seed spec) must be outputs."
  }

  assert {
    condition     = output.region == "eu-west-1" && output.kubeconfig_command == "aws eks update-kubeconfig --region eu-west-1 --name counterfact-test"
    error_message = "Region and the kubeconfig command must be outputs."
  }

  assert {
    condition     = output.settings.environment == "test" && output.settings.nat_gateways == 2 && output.settings.msk_broker_count == 2 && length(output.settings.databases) == 3
    error_message = "The settings output must carry the environment's choices."
  }
}
