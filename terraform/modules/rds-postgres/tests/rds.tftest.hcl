mock_provider "aws" {
  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
  }

  mock_resource "aws_db_instance" {
    defaults = {
      arn     = "arn:aws:rds:eu-west-1:123456789012:db:cf-test-ingestion"
      address = "cf-test-ingestion.abcdefghijkl.eu-west-1.rds.amazonaws.com"
      master_user_secret = [{
        secret_arn    = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1111-AbCdEf"
        kms_key_id    = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
        secret_status = "active"
      }]
    }
  }
}

variables {
  identifier                 = "cf-test-ingestion"
  db_name                    = "ingestion"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-aaaa", "subnet-bbbb"]
  allowed_security_group_ids = { eks_nodes = "sg-0nodes" }
  tags                       = { Project = "counterfact" }
}

run "private_encrypted_backed_up_protected_and_5432_from_eks_only" {
  command = plan

  assert {
    condition     = aws_db_instance.this.publicly_accessible == false
    error_message = "The instance must not be publicly accessible."
  }

  assert {
    condition     = aws_db_instance.this.storage_encrypted == true && length(aws_kms_key.this) == 1
    error_message = "Storage must be encrypted with a customer-managed KMS key."
  }

  assert {
    condition     = aws_db_instance.this.manage_master_user_password == true && aws_db_instance.this.password == null
    error_message = "The master password must be managed by RDS in Secrets Manager, never set by Terraform."
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period >= 7
    error_message = "Backups must be kept at least 7 days."
  }

  assert {
    condition     = aws_db_instance.this.deletion_protection == true && aws_db_instance.this.skip_final_snapshot == false && aws_db_instance.this.final_snapshot_identifier == "cf-test-ingestion-final"
    error_message = "Deletion protection and a final snapshot must be the default."
  }

  assert {
    condition     = aws_db_instance.this.db_name == "ingestion" && aws_db_instance.this.engine == "postgres"
    error_message = "One PostgreSQL database named after its service."
  }

  assert {
    condition     = aws_db_parameter_group.this.family == "postgres16" && contains([for p in aws_db_parameter_group.this.parameter : "${p.name}=${p.value}"], "rds.force_ssl=1")
    error_message = "Connections must be forced onto TLS."
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_log_group.this)) == toset(aws_db_instance.this.enabled_cloudwatch_logs_exports) && alltrue([for g in aws_cloudwatch_log_group.this : g.retention_in_days == 30])
    error_message = "Exported logs go to log groups with a retention."
  }

  assert {
    condition     = aws_db_instance.this.tags["Project"] == "counterfact"
    error_message = "Module tags must be merged into the instance."
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.postgres) == 1
    error_message = "Exactly one ingress rule per allowed security group."
  }

  assert {
    condition = alltrue([
      for r in aws_vpc_security_group_ingress_rule.postgres :
      r.from_port == 5432 && r.to_port == 5432 && r.ip_protocol == "tcp" && r.referenced_security_group_id == "sg-0nodes" && r.cidr_ipv4 == null
    ])
    error_message = "Ingress must be tcp/5432 from the EKS node security group only, never from a CIDR."
  }
}

run "dev_style_settings" {
  command = plan

  variables {
    deletion_protection     = false
    skip_final_snapshot     = true
    backup_retention_period = 7
    create_kms_key          = false
    kms_key_arn             = "arn:aws:kms:eu-west-1:123456789012:key/shared"
  }

  assert {
    condition     = aws_db_instance.this.deletion_protection == false && aws_db_instance.this.final_snapshot_identifier == null
    error_message = "Dev may switch off deletion protection and the final snapshot."
  }

  assert {
    condition     = aws_db_instance.this.kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/shared" && length(aws_kms_key.this) == 0
    error_message = "A supplied KMS key must be used instead of a new one."
  }
}

run "outputs_carry_the_secret_arn_not_the_secret" {
  assert {
    condition     = startswith(output.master_user_secret_arn, "arn:aws:secretsmanager:")
    error_message = "The master-user secret ARN must be an output."
  }

  assert {
    condition     = output.port == 5432 && output.db_name == "ingestion" && output.address != ""
    error_message = "Endpoint, port and database name must be outputs."
  }
}

run "rejects_short_backup_retention" {
  command = plan

  variables {
    backup_retention_period = 1
  }

  expect_failures = [var.backup_retention_period]
}

run "rejects_missing_kms_key" {
  command = plan

  variables {
    create_kms_key = false
  }

  expect_failures = [aws_db_instance.this]
}
