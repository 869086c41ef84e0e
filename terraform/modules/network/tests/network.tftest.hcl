mock_provider "aws" {}

variables {
  name     = "cf-test"
  vpc_cidr = "10.20.0.0/16"
  azs      = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  tags     = { Project = "counterfact", Environment = "test" }
}

run "subnets_per_zone_nat_per_zone_and_flow_logs" {
  command = plan

  assert {
    condition     = length(aws_subnet.private) == 3 && length(aws_subnet.public) == 3
    error_message = "Expected one private and one public subnet per availability zone."
  }

  assert {
    condition     = toset([for s in aws_subnet.private : s.availability_zone]) == toset(var.azs)
    error_message = "Private subnets must cover every availability zone."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch == false])
    error_message = "No subnet may hand out public IPs automatically."
  }

  assert {
    condition     = alltrue([for s in concat(values(aws_subnet.private), values(aws_subnet.public)) : startswith(s.cidr_block, "10.20.")])
    error_message = "Subnets must be carved out of the VPC range."
  }

  assert {
    condition     = length(distinct(concat([for s in aws_subnet.private : s.cidr_block], [for s in aws_subnet.public : s.cidr_block]))) == 6
    error_message = "Subnet CIDRs must not overlap."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.private : s.tags["Project"] == "counterfact" && s.tags["kubernetes.io/role/internal-elb"] == "1"])
    error_message = "Private subnets must carry the module tags and the internal-elb role tag."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3 && length(aws_route.private_nat) == 3
    error_message = "Expected a NAT gateway and a default route through it per zone."
  }

  assert {
    condition     = length(aws_flow_log.this) == 1 && aws_flow_log.this[0].traffic_type == "ALL"
    error_message = "VPC flow logs must be on by default."
  }
}

run "single_nat_gateway" {
  command = plan

  variables {
    single_nat_gateway = true
    enable_flow_logs   = false
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_route.private_nat) == 3
    error_message = "Expected one shared NAT gateway routing every private subnet."
  }

  assert {
    condition     = length(aws_flow_log.this) == 0
    error_message = "Flow logs must be switchable off."
  }
}

run "needs_two_zones" {
  command = plan

  variables {
    azs = ["eu-west-1a"]
  }

  expect_failures = [var.azs]
}
