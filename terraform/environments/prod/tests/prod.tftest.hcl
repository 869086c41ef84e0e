# Offline: every AWS resource is mocked (shared mock data in terraform/mocks/aws). What every
# environment shares is tested in modules/counterfact/tests; here only prod's own choices.
mock_provider "aws" {
  source = "../../mocks/aws"
}

run "apply_prod_is_resilient_and_protected" {
  assert {
    condition = alltrue([
      for k, db in module.counterfact.settings.databases :
      db.deletion_protection == true && db.final_snapshot_identifier == "counterfact-prod-${k}-final"
    ])
    error_message = "prod databases must have deletion protection and take a final snapshot when deleted."
  }

  assert {
    condition = alltrue([
      for db in module.counterfact.settings.databases :
      db.multi_az == true && db.backup_retention_period == 14 && db.instance_class == "db.m7g.large" && db.performance_insights == true
    ])
    error_message = "prod databases run multi-AZ with two weeks of backups and Performance Insights."
  }

  assert {
    condition     = length(module.counterfact.settings.azs) == 3 && module.counterfact.settings.nat_gateways == 3
    error_message = "prod spans three zones with a NAT gateway each."
  }

  assert {
    condition     = module.counterfact.settings.msk_broker_count == 3 && module.counterfact.settings.msk_broker_instance_type == "kafka.m7g.large"
    error_message = "prod MSK: three brokers, one per zone."
  }

  assert {
    condition = (
      module.counterfact.settings.node_groups["general"].min_size == 3 &&
      module.counterfact.settings.node_groups["general"].max_size == 9 &&
      module.counterfact.settings.node_groups["general"].desired_size == 3
    )
    error_message = "prod general node group: 3..9, starting at 3."
  }

  assert {
    condition = (
      module.counterfact.settings.node_groups["estimation"].min_size == 1 &&
      module.counterfact.settings.node_groups["estimation"].max_size == 12 &&
      module.counterfact.settings.node_groups["estimation"].desired_size == 2
    )
    error_message = "prod estimation node group: 1..12, starting at 2."
  }

  assert {
    condition     = module.counterfact.settings.ecr_force_delete == false && module.counterfact.settings.secret_recovery_window_days == 30
    error_message = "prod keeps ECR repositories with images and deleted secrets recoverable for 30 days."
  }

  assert {
    condition = (
      output.counterfact.cluster_name == "counterfact-prod" &&
      output.counterfact.ecr_repository_prefix == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/counterfact" &&
      strcontains(output.k8s_overlay_env_file, "EKS_CLUSTER_NAME=counterfact-prod\n") &&
      length(output.secrets_seed_spec) == 2 && output.region == "eu-west-1" &&
      strcontains(output.kubeconfig_command, "--name counterfact-prod")
    )
    error_message = "prod names (cluster, ECR namespace) and the re-exported outputs."
  }
}
