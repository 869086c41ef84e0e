locals {
  kms_key_arn  = var.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn
  replicas     = min(3, var.number_of_broker_nodes)
  client_ports = var.iam_auth_enabled ? { iam = 9098 } : { tls = 9094 }

  server_properties = merge({
    "auto.create.topics.enable"      = "false"
    "default.replication.factor"     = tostring(local.replicas)
    "min.insync.replicas"            = tostring(max(1, local.replicas - 1))
    "num.partitions"                 = "6"
    "unclean.leader.election.enable" = "false"
    "allow.everyone.if.no.acl.found" = "true"
  }, var.server_properties)

  # Clients use the bootstrap string of the enabled listener.
  bootstrap_brokers = var.iam_auth_enabled ? aws_msk_cluster.this.bootstrap_brokers_sasl_iam : aws_msk_cluster.this.bootstrap_brokers_tls
}

resource "aws_kms_key" "this" {
  count = var.create_kms_key ? 1 : 0

  description             = "MSK ${var.name}: encryption at rest"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = merge(var.tags, { Name = var.name })
}

resource "aws_kms_alias" "this" {
  count = var.create_kms_key ? 1 : 0

  name          = "alias/msk-${var.name}"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-msk-"
  description = "MSK ${var.name}: TLS listeners from the allowed security groups only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-msk" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each = {
    for pair in setproduct(keys(var.allowed_security_group_ids), keys(local.client_ports)) :
    "${pair[0]}-${pair[1]}" => { source = var.allowed_security_group_ids[pair[0]], port = local.client_ports[pair[1]], label = pair[0] }
  }

  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = each.value.source
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "Kafka (TLS) from ${each.value.label}"
  tags                         = merge(var.tags, { Name = "${var.name}-msk-from-${each.key}" })
}

resource "aws_vpc_security_group_ingress_rule" "self" {
  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = aws_security_group.this.id
  ip_protocol                  = "-1"
  description                  = "Broker to broker"
  tags                         = merge(var.tags, { Name = "${var.name}-msk-self" })
}

resource "aws_vpc_security_group_egress_rule" "self" {
  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = aws_security_group.this.id
  ip_protocol                  = "-1"
  description                  = "Broker to broker (no other egress)"
  tags                         = merge(var.tags, { Name = "${var.name}-msk-self" })
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/msk/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_msk_configuration" "this" {
  name              = "${var.name}-${replace(var.kafka_version, ".", "-")}"
  kafka_versions    = [var.kafka_version]
  description       = "Broker configuration of ${var.name}"
  server_properties = join("\n", [for k, v in local.server_properties : "${k} = ${v}"])

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.number_of_broker_nodes
  enhanced_monitoring    = var.enhanced_monitoring

  broker_node_group_info {
    instance_type   = var.broker_instance_type
    client_subnets  = var.subnet_ids
    security_groups = [aws_security_group.this.id]

    storage_info {
      ebs_storage_info {
        volume_size = var.broker_volume_size
      }
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = local.kms_key_arn

    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  client_authentication {
    unauthenticated = !var.iam_auth_enabled

    dynamic "sasl" {
      for_each = var.iam_auth_enabled ? [1] : []
      content {
        iam = true
      }
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.this.name
      }
    }
  }

  open_monitoring {
    prometheus {
      jmx_exporter {
        enabled_in_broker = true
      }
      node_exporter {
        enabled_in_broker = true
      }
    }
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = var.create_kms_key || var.kms_key_arn != null
      error_message = "Give kms_key_arn or set create_kms_key = true."
    }
  }
}
