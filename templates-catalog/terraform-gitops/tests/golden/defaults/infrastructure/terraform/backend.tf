# Rendered by Paved from terraform-gitops 0.3.0. State lives in S3, locked with a
# lock file next to it (use_lockfile, Terraform 1.10+), so no DynamoDB table is needed.
terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }

  backend "s3" {
    bucket       = "acme-terraform-state"
    key          = "checkout/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}
