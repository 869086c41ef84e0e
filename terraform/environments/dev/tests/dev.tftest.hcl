# Offline: every AWS resource is mocked (shared mock data in terraform/mocks/aws). What every
# environment shares is tested in modules/counterfact/tests; here only dev's own choices.
mock_provider "aws" {
  source = "../../mocks/aws"
}

run "apply_dev_is_small_and_disposable" {
  assert {
    condition = alltrue([
      for db in module.counterfact.settings.databases :
      db.deletion_protection == false && db.final_snapshot_identifier == null && db.multi_az == false &&
      db.backup_retention_period == 7 && db.instance_class == "db.t4g.small" && db.performance_insights == false
    ])
    error_message = "dev databases: small, single-zone, 7 days of backups, deletable without a final snapshot."
  }

  assert {
    condition     = length(module.counterfact.settings.azs) == 2 && module.counterfact.settings.nat_gateways == 1
    error_message = "dev spans two zones behind one NAT gateway."
  }

  assert {
    condition     = module.counterfact.settings.msk_broker_count == 2 && module.counterfact.settings.msk_broker_instance_type == "kafka.t3.small"
    error_message = "dev MSK: two small brokers."
  }

  assert {
    condition = (
      keys(module.counterfact.settings.node_groups) == ["general"] &&
      module.counterfact.settings.node_groups["general"].min_size == 2 &&
      module.counterfact.settings.node_groups["general"].max_size == 4 &&
      module.counterfact.settings.node_groups["general"].desired_size == 2
    )
    error_message = "dev: one node group, 2..4, starting at 2."
  }

  assert {
    condition     = module.counterfact.settings.ecr_force_delete == true && module.counterfact.settings.secret_recovery_window_days == 0
    error_message = "dev ECR repositories and secrets can be destroyed at once."
  }

  assert {
    condition = (
      output.counterfact.cluster_name == "counterfact-dev" &&
      output.counterfact.ecr_repository_prefix == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/counterfact-dev" &&
      strcontains(output.k8s_overlay_env_file, "EKS_CLUSTER_NAME=counterfact-dev\n") &&
      length(output.secrets_seed_spec) == 2 && output.region == "eu-west-1" &&
      strcontains(output.kubeconfig_command, "--name counterfact-dev")
    )
    error_message = "dev names (cluster, ECR namespace) and the re-exported outputs."
  }
}
