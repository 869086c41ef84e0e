mock_provider "aws" {
  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
  }

  mock_resource "aws_secretsmanager_secret" {
    defaults = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mock-AbCdEf"
    }
  }
}

variables {
  name_prefix = "counterfact/test"
  tags        = { Project = "counterfact" }
  secrets = {
    "gateway-api-keys" = {
      description = "Gateway API keys"
      keys        = ["analyst", "viewer"]
    }
    "internal-token" = {
      description  = "Internal token signing secret"
      keys         = ["secret"]
      value_length = 64
    }
  }
}

run "secrets_without_values" {
  command = plan

  assert {
    condition     = length(aws_secretsmanager_secret.this) == 2 && aws_secretsmanager_secret.this["internal-token"].name == "counterfact/test/internal-token"
    error_message = "One secret per entry, named <prefix>/<name>."
  }

  assert {
    condition     = length(aws_kms_key.this) == 1 && aws_kms_key.this[0].enable_key_rotation
    error_message = "Secrets get their own rotating KMS key."
  }

  assert {
    condition     = aws_secretsmanager_secret.this["gateway-api-keys"].tags["counterfact:value-keys"] == "analyst viewer" && aws_secretsmanager_secret.this["gateway-api-keys"].tags["Project"] == "counterfact"
    error_message = "Secrets carry the module tags and the keys of their value."
  }
}

run "outputs_name_arns_never_values" {
  assert {
    condition     = length(output.secret_arns) == 2 && alltrue([for a in values(output.secret_arns) : startswith(a, "arn:aws:secretsmanager:")])
    error_message = "Secret ARNs must be outputs."
  }

  assert {
    condition     = output.seed_spec["internal-token"].length == 64 && output.seed_spec["gateway-api-keys"].keys == tolist(["analyst", "viewer"])
    error_message = "The seed spec tells the seeding script what to generate."
  }

  assert {
    condition     = alltrue([for s in aws_secretsmanager_secret.this : s.kms_key_id == output.kms_key_arn])
    error_message = "Secrets must be encrypted with the module's KMS key."
  }
}

run "rejects_short_values" {
  command = plan

  variables {
    secrets = {
      weak = {
        description  = "too short"
        keys         = ["k"]
        value_length = 8
      }
    }
  }

  expect_failures = [var.secrets]
}
