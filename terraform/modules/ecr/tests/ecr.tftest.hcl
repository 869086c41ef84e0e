mock_provider "aws" {
  mock_resource "aws_ecr_repository" {
    defaults = {
      registry_id = "123456789012"
    }
  }
}

variables {
  name_prefix  = "counterfact"
  repositories = ["gateway", "ingestion-service", "estimation-service", "query-service"]
  tags         = { Project = "counterfact" }
}

run "scanned_immutable_repository_per_service_with_lifecycle" {
  command = plan

  assert {
    condition     = length(aws_ecr_repository.this) == 4 && aws_ecr_repository.this["gateway"].name == "counterfact/gateway"
    error_message = "One repository per service, named <prefix>/<service>."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.image_scanning_configuration[0].scan_on_push])
    error_message = "Every repository must scan on push."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.image_tag_mutability == "IMMUTABLE"])
    error_message = "Tags must be immutable."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.encryption_configuration[0].encryption_type == "KMS" && r.force_delete == false])
    error_message = "Images are KMS-encrypted and repositories are not force-deleted by default."
  }

  assert {
    condition     = length(aws_ecr_lifecycle_policy.this) == 4
    error_message = "Every repository needs a lifecycle policy."
  }

  assert {
    condition = (
      jsondecode(aws_ecr_lifecycle_policy.this["gateway"].policy).rules[0].selection.tagStatus == "untagged" &&
      jsondecode(aws_ecr_lifecycle_policy.this["gateway"].policy).rules[1].selection.countNumber == 50
    )
    error_message = "Lifecycle: expire untagged images, keep the newest 50."
  }
}

run "outputs" {
  assert {
    condition     = length(output.repository_urls) == 4 && alltrue(values(output.scan_on_push)) && output.registry_id == "123456789012"
    error_message = "Repository URLs, scan settings and the registry id must be outputs."
  }
}
