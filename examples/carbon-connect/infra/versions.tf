# Carbon Connect's infrastructure, described without a cloud provider: the sample deploys to a
# local platform (deploy/platform.py), so these files model the environments with Terraform's
# built-in `terraform_data` resource only. `terraform init -backend=false` and `terraform
# validate` work offline; a real AWS version would add the aws provider and its resources.
terraform {
  required_version = ">= 1.5.0"
}
