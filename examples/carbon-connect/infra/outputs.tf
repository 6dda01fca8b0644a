output "name" {
  description = "The environment's resource name prefix."
  value       = local.name
}

output "services" {
  description = "The services and the image each runs."
  value       = { for key, service in terraform_data.service : key => service.output.image_tag }
}

output "database" {
  description = "The database's name and engine version."
  value       = "${terraform_data.database.output.name} (postgres ${local.database.engine_version} + pgvector)"
}
