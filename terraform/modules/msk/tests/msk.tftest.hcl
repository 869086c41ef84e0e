mock_provider "aws" {
  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
  }

  mock_resource "aws_msk_configuration" {
    defaults = {
      arn             = "arn:aws:kafka:eu-west-1:123456789012:configuration/cf-test/1111"
      latest_revision = 1
    }
  }

  mock_resource "aws_msk_cluster" {
    defaults = {
      arn                        = "arn:aws:kafka:eu-west-1:123456789012:cluster/cf-test/1111-2222"
      bootstrap_brokers_tls      = "b-1.cftest.kafka.eu-west-1.amazonaws.com:9094,b-2.cftest.kafka.eu-west-1.amazonaws.com:9094"
      bootstrap_brokers_sasl_iam = ""
    }
  }
}

variables {
  name                       = "cf-test"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-aaaa", "subnet-bbbb", "subnet-cccc"]
  allowed_security_group_ids = { eks_nodes = "sg-0nodes" }
  tags                       = { Project = "counterfact" }
}

run "tls_in_transit_and_only_tls_port_from_eks_nodes" {
  command = plan

  assert {
    condition     = aws_msk_cluster.this.encryption_info[0].encryption_in_transit[0].client_broker == "TLS"
    error_message = "Client to broker traffic must be TLS only."
  }

  assert {
    condition     = aws_msk_cluster.this.encryption_info[0].encryption_in_transit[0].in_cluster == true
    error_message = "Broker to broker traffic must be encrypted."
  }

  assert {
    condition     = toset(aws_msk_cluster.this.broker_node_group_info[0].client_subnets) == toset(var.subnet_ids)
    error_message = "Brokers must live in the given private subnets."
  }

  assert {
    condition     = aws_msk_cluster.this.number_of_broker_nodes == 3 && strcontains(aws_msk_configuration.this.server_properties, "min.insync.replicas = 2")
    error_message = "Three brokers, replication 3, min ISR 2 by default."
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.clients) == 1
    error_message = "Exactly one client ingress rule (TLS port from the EKS nodes)."
  }

  assert {
    condition = alltrue([
      for r in aws_vpc_security_group_ingress_rule.clients :
      r.from_port == 9094 && r.to_port == 9094 && r.referenced_security_group_id == "sg-0nodes" && r.cidr_ipv4 == null
    ])
    error_message = "Clients may reach only 9094 (TLS), only from the EKS node security group."
  }
}

run "iam_auth_switches_listener" {
  command = plan

  variables {
    iam_auth_enabled = true
  }

  assert {
    condition     = aws_msk_cluster.this.client_authentication[0].unauthenticated == false && aws_msk_cluster.this.client_authentication[0].sasl[0].iam == true
    error_message = "IAM auth must disable unauthenticated access."
  }

  assert {
    condition     = alltrue([for r in aws_vpc_security_group_ingress_rule.clients : r.from_port == 9098])
    error_message = "With IAM auth only 9098 is open."
  }
}

run "outputs" {
  assert {
    condition     = aws_msk_cluster.this.encryption_info[0].encryption_at_rest_kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "Storage must be encrypted with the module's KMS key."
  }

  assert {
    condition     = output.bootstrap_brokers == output.bootstrap_brokers_tls && strcontains(output.bootstrap_brokers, ":9094")
    error_message = "bootstrap_brokers must be the TLS bootstrap string."
  }

  assert {
    condition     = output.encryption_in_transit.client_broker == "TLS" && output.security_protocol == "SSL"
    error_message = "Outputs must report TLS."
  }
}

run "rejects_uneven_broker_count" {
  command = plan

  variables {
    number_of_broker_nodes = 4
  }

  expect_failures = [var.number_of_broker_nodes]
}
