terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # logging_config on aws_lambda_function and scaling_config on the event source mapping
      # need 5.31+; 6.x is accepted so that a fresh init does not pin an old provider.
      version = ">= 5.31, < 7.0"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}
