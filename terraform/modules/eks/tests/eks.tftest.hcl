mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_resource "aws_eks_cluster" {
    defaults = {
      arn      = "arn:aws:eks:eu-west-1:123456789012:cluster/cf-test"
      endpoint = "https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com"
      identity = [{
        oidc = [{ issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789" }]
      }]
      certificate_authority = [{ data = "LS0tLS1CRUdJTi1DRVJUSUZJQ0FURS0tLS0t" }]
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/mock"
    }
  }

  mock_resource "aws_launch_template" {
    defaults = {
      id             = "lt-0123456789abcdef0"
      latest_version = 1
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
  }
}

variables {
  cluster_name = "cf-test"
  vpc_id       = "vpc-0123456789abcdef0"
  subnet_ids   = ["subnet-aaaa", "subnet-bbbb", "subnet-cccc"]
  tags         = { Project = "counterfact" }
  node_groups = {
    general = {
      instance_types = ["m7i.large"]
      min_size       = 2
      max_size       = 6
      desired_size   = 3
    }
    estimation = {
      instance_types = ["c7i.xlarge"]
      min_size       = 0
      max_size       = 10
      desired_size   = 1
      capacity_type  = "SPOT"
      labels         = { workload = "estimation" }
    }
  }
}

run "scaling_bounds_logging_encryption_private_endpoint" {
  command = plan

  assert {
    condition = (
      aws_eks_node_group.this["general"].scaling_config[0].min_size == 2 &&
      aws_eks_node_group.this["general"].scaling_config[0].max_size == 6 &&
      aws_eks_node_group.this["general"].scaling_config[0].desired_size == 3
    )
    error_message = "general node group must scale 2..6 starting at 3."
  }

  assert {
    condition = (
      aws_eks_node_group.this["estimation"].scaling_config[0].min_size == 0 &&
      aws_eks_node_group.this["estimation"].scaling_config[0].max_size == 10 &&
      aws_eks_node_group.this["estimation"].capacity_type == "SPOT"
    )
    error_message = "estimation node group must scale 0..10 on spot."
  }

  assert {
    condition     = alltrue([for g in aws_eks_node_group.this : g.subnet_ids == toset(var.subnet_ids)])
    error_message = "Node groups must run in the given private subnets."
  }

  assert {
    condition     = toset(aws_eks_cluster.this.enabled_cluster_log_types) == toset(["api", "audit", "authenticator", "controllerManager", "scheduler"])
    error_message = "Every control-plane log type must be enabled by default."
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_public_access == false && aws_eks_cluster.this.vpc_config[0].endpoint_private_access == true
    error_message = "Without allowed CIDRs the API endpoint must be private only."
  }

  assert {
    condition     = aws_eks_cluster.this.encryption_config[0].resources == toset(["secrets"])
    error_message = "Kubernetes secrets must be envelope-encrypted with KMS."
  }

  assert {
    condition     = aws_kms_key.this.enable_key_rotation == true
    error_message = "KMS key rotation must be on."
  }

  assert {
    condition = alltrue([
      for lt in aws_launch_template.node :
      lt.metadata_options[0].http_tokens == "required" && lt.metadata_options[0].http_put_response_hop_limit == 1 && lt.block_device_mappings[0].ebs[0].encrypted == "true"
    ])
    error_message = "Nodes must require IMDSv2 with hop limit 1 and encrypt their disks."
  }

  assert {
    condition     = jsondecode(aws_eks_addon.this["vpc-cni"].configuration_values).enableNetworkPolicy == "true"
    error_message = "The VPC CNI must enforce NetworkPolicies."
  }

  assert {
    condition     = aws_eks_node_group.this["general"].tags["Project"] == "counterfact"
    error_message = "Module tags must be merged into the node groups."
  }
}

run "public_endpoint_only_from_given_cidrs" {
  command = plan

  variables {
    endpoint_public_access_cidrs = ["203.0.113.0/24"]
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_public_access && aws_eks_cluster.this.vpc_config[0].public_access_cidrs == toset(["203.0.113.0/24"])
    error_message = "Public endpoint must be restricted to the given CIDRs."
  }
}

run "irsa_outputs" {
  assert {
    condition     = output.oidc_provider == "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
    error_message = "oidc_provider must be the issuer without its scheme."
  }

  assert {
    condition     = aws_iam_openid_connect_provider.this.client_id_list == toset(["sts.amazonaws.com"])
    error_message = "The OIDC provider must trust the STS audience."
  }

  assert {
    condition     = output.node_groups["general"].max_size == 6 && output.cluster_name == "cf-test" && output.cluster_endpoint != ""
    error_message = "Cluster and node-group outputs must be present."
  }
}

run "rejects_desired_outside_bounds" {
  command = plan

  variables {
    node_groups = {
      general = {
        instance_types = ["m7i.large"]
        min_size       = 3
        max_size       = 4
        desired_size   = 5
      }
    }
  }

  expect_failures = [var.node_groups]
}
