variable "environment" {
  description = "The environment these resources describe: staging or production."
  type        = string
  default     = "staging"

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "image_tag" {
  description = "The application image to run (staging-<sha> or a release tag vX.Y.Z)."
  type        = string
  default     = "latest"
}

variable "api_instances" {
  description = "API instances per colour (blue/green)."
  type        = number
  default     = 1

  validation {
    condition     = var.api_instances >= 1 && var.api_instances <= 10
    error_message = "api_instances must be between 1 and 10."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the services (the PROD_/STAGING_SUBNET_IDS secrets)."
  type        = list(string)
  default     = []
  sensitive   = true
}

variable "security_group" {
  description = "The services' security group (the PROD_/STAGING_SECURITY_GROUP secrets)."
  type        = string
  default     = ""
  sensitive   = true
}
