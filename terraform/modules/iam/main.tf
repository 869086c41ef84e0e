data "aws_region" "current" {}

locals {
  msk_arn = var.msk_cluster_arn == null ? "" : var.msk_cluster_arn
  # arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> -> topic/<name>/<uuid>/<topic>, ...
  msk_topic_prefix = replace(local.msk_arn, ":cluster/", ":topic/")
  msk_group_prefix = replace(local.msk_arn, ":cluster/", ":group/")
  msk_txn_prefix   = replace(local.msk_arn, ":cluster/", ":transactional-id/")

  statements = {
    for name, s in var.services : name => concat(
      length(s.secret_arns) == 0 ? [] : [{
        Sid      = "ReadOwnSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = s.secret_arns
      }],
      length(s.kms_key_arns) == 0 || length(s.secret_arns) == 0 ? [] : [{
        Sid      = "DecryptOwnSecretsViaSecretsManager"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = s.kms_key_arns
        Condition = {
          StringEquals = {
            "kms:ViaService"                  = "secretsmanager.${data.aws_region.current.name}.amazonaws.com"
            "kms:EncryptionContext:SecretARN" = s.secret_arns
          }
        }
      }],
      !var.msk_iam_auth_enabled || s.kafka == null ? [] : concat(
        [{
          Sid      = "ConnectToCluster"
          Effect   = "Allow"
          Action   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
          Resource = [local.msk_arn]
        }],
        length(s.kafka.write_topics) == 0 ? [] : [{
          Sid      = "IdempotentProducer"
          Effect   = "Allow"
          Action   = ["kafka-cluster:WriteDataIdempotently"]
          Resource = [local.msk_arn]
        }],
        length(s.kafka.read_topics) == 0 ? [] : [{
          Sid      = "ReadOwnTopics"
          Effect   = "Allow"
          Action   = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
          Resource = [for t in s.kafka.read_topics : "${local.msk_topic_prefix}/${t}"]
        }],
        length(s.kafka.write_topics) == 0 ? [] : [{
          Sid      = "WriteOwnTopics"
          Effect   = "Allow"
          Action   = ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"]
          Resource = [for t in s.kafka.write_topics : "${local.msk_topic_prefix}/${t}"]
        }],
        length(s.kafka.consumer_groups) == 0 ? [] : [{
          Sid      = "UseOwnConsumerGroups"
          Effect   = "Allow"
          Action   = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
          Resource = [for g in s.kafka.consumer_groups : "${local.msk_group_prefix}/${g}"]
        }],
        length(s.kafka.write_topics) == 0 ? [] : [{
          Sid      = "OwnTransactionalIds"
          Effect   = "Allow"
          Action   = ["kafka-cluster:DescribeTransactionalId", "kafka-cluster:AlterTransactionalId"]
          Resource = ["${local.msk_txn_prefix}/${name}-*"]
        }],
      )
    )
  }
}

resource "aws_iam_role" "this" {
  for_each = var.services

  name                 = "${var.name_prefix}-${each.key}"
  description          = "IRSA role of ${each.value.namespace}/${each.value.service_account}"
  permissions_boundary = var.permissions_boundary_arn
  max_session_duration = 3600

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = var.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${var.oidc_provider}:sub" = "system:serviceaccount:${each.value.namespace}:${each.value.service_account}"
          "${var.oidc_provider}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.key}", Service = each.key })

  lifecycle {
    precondition {
      condition     = !var.msk_iam_auth_enabled || var.msk_cluster_arn != null
      error_message = "msk_cluster_arn is required when msk_iam_auth_enabled."
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = { for name, st in local.statements : name => st if length(st) > 0 }

  name = "least-privilege"
  role = aws_iam_role.this[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = each.value
  })
}
