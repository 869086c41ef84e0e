mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/mock"
    }
  }
}

variables {
  name_prefix       = "cf-test"
  oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
  oidc_provider     = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
  msk_cluster_arn   = "arn:aws:kafka:eu-west-1:123456789012:cluster/cf-test/uuid-1"
  tags              = { Project = "counterfact" }
  services = {
    ingestion = {
      namespace       = "counterfact"
      service_account = "ingestion-service"
      secret_arns     = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:ingestion-db", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:internal-token"]
      kms_key_arns    = ["arn:aws:kms:eu-west-1:123456789012:key/ingestion", "arn:aws:kms:eu-west-1:123456789012:key/secrets"]
      kafka = {
        write_topics = ["counterfact.datasets", "counterfact.dataset-chunks"]
      }
    }
    query = {
      namespace       = "counterfact"
      service_account = "query-service"
      secret_arns     = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:query-db"]
      kms_key_arns    = ["arn:aws:kms:eu-west-1:123456789012:key/query"]
      kafka = {
        read_topics     = ["counterfact.datasets", "counterfact.estimation-events"]
        consumer_groups = ["query-service"]
      }
    }
    bare = {
      namespace       = "counterfact"
      service_account = "bare"
    }
  }
}

run "trust_and_least_privilege" {
  command = plan

  assert {
    condition     = length(aws_iam_role.this) == 3
    error_message = "One role per service."
  }

  assert {
    condition = alltrue([
      for name, r in aws_iam_role.this :
      jsondecode(r.assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub"] == "system:serviceaccount:counterfact:${var.services[name].service_account}" &&
      jsondecode(r.assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud"] == "sts.amazonaws.com" &&
      jsondecode(r.assume_role_policy).Statement[0].Principal.Federated == var.oidc_provider_arn
    ])
    error_message = "Trust must name the OIDC provider, the service's own service account and the STS audience."
  }

  assert {
    condition     = jsonencode([for s in jsondecode(aws_iam_role_policy.this["query"].policy).Statement : s.Resource if s.Sid == "ReadOwnSecrets"]) == jsonencode([["arn:aws:secretsmanager:eu-west-1:123456789012:secret:query-db"]])
    error_message = "query may read only its own database secret."
  }

  assert {
    condition = [
      for s in jsondecode(aws_iam_role_policy.this["ingestion"].policy).Statement :
      s.Condition.StringEquals["kms:ViaService"] == "secretsmanager.eu-west-1.amazonaws.com" &&
      tolist(s.Condition.StringEquals["kms:EncryptionContext:SecretARN"]) == var.services.ingestion.secret_arns
      if s.Sid == "DecryptOwnSecretsViaSecretsManager"
    ] == [true]
    error_message = "kms:Decrypt only through Secrets Manager and only for the service's own secrets."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this["query"].policy, "ingestion")
    error_message = "query's policy must not mention another service's resources."
  }

  assert {
    condition     = !strcontains(jsonencode([for p in aws_iam_role_policy.this : p.policy]), "\"*\"") && !strcontains(jsonencode([for p in aws_iam_role_policy.this : p.policy]), ":*\"")
    error_message = "No wildcard actions or resources."
  }

  assert {
    condition     = !contains(keys(aws_iam_role_policy.this), "bare")
    error_message = "A service with nothing to access gets no policy."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this["ingestion"].policy, "kafka-cluster")
    error_message = "Without MSK IAM auth no kafka-cluster permissions are granted."
  }
}

run "msk_iam_permissions_are_per_topic" {
  command = plan

  variables {
    msk_iam_auth_enabled = true
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.this["ingestion"].policy).Statement : s.Resource if s.Sid == "WriteOwnTopics"
      ])) == toset([
      "arn:aws:kafka:eu-west-1:123456789012:topic/cf-test/uuid-1/counterfact.datasets",
      "arn:aws:kafka:eu-west-1:123456789012:topic/cf-test/uuid-1/counterfact.dataset-chunks",
    ])
    error_message = "ingestion may write only its own topics."
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.this["ingestion"].policy).Statement : s if s.Sid == "ReadOwnTopics"]) == 0
    error_message = "ingestion reads no topic."
  }

  assert {
    condition     = jsonencode([for s in jsondecode(aws_iam_role_policy.this["query"].policy).Statement : s.Resource if s.Sid == "UseOwnConsumerGroups"]) == jsonencode([["arn:aws:kafka:eu-west-1:123456789012:group/cf-test/uuid-1/query-service"]])
    error_message = "query may use only its own consumer group."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this["query"].policy, "WriteData") && !strcontains(aws_iam_role_policy.this["query"].policy, "TransactionalId")
    error_message = "A read-only consumer gets no write or transactional permissions."
  }
}

run "outputs" {
  assert {
    condition     = length(output.role_arns) == 3 && alltrue([for a in values(output.role_arns) : startswith(a, "arn:aws:iam::")])
    error_message = "Role ARNs by service must be outputs."
  }
}
