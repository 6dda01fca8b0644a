locals {
  name = "carbon-connect-${var.environment}"

  # Per-environment sizing: production keeps backups longer and runs more API instances.
  sizing = {
    staging = {
      backup_retention_days = 3
      worker_concurrency    = 2
    }
    production = {
      backup_retention_days = 14
      worker_concurrency    = 4
    }
  }

  database = {
    engine            = "postgres"
    engine_version    = "16"
    extensions        = ["vector"]
    retention_days    = local.sizing[var.environment].backup_retention_days
    storage_encrypted = true
  }

  services = {
    api = {
      command = ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
      health  = "/health"
      count   = var.api_instances
    }
    worker = {
      command = ["celery", "-A", "app.worker", "worker", "--concurrency", tostring(local.sizing[var.environment].worker_concurrency)]
      health  = null
      count   = 1
    }
    beat = {
      command = ["celery", "-A", "app.worker", "beat"]
      health  = null
      count   = 1
    }
  }

  tags = {
    project     = "carbon-connect"
    environment = var.environment
    managed_by  = "terraform"
  }
}

# The database (the RDS instance on AWS; a PostgreSQL with pgvector on the local platform).
resource "terraform_data" "database" {
  input = merge(local.database, { name = "${local.name}-db", tags = local.tags })
}

# The broker (ElastiCache Redis/Valkey on AWS).
resource "terraform_data" "broker" {
  input = { name = "${local.name}-redis", engine = "redis", version = "7", tags = local.tags }
}

# One service per process kind, all running the same image.
resource "terraform_data" "service" {
  for_each = local.services

  input = {
    name           = "${local.name}-${each.key}"
    image_tag      = var.image_tag
    command        = each.value.command
    health         = each.value.health
    desired_count  = each.value.count
    database       = terraform_data.database.output.name
    broker         = terraform_data.broker.output.name
    subnet_count   = length(var.subnet_ids)
    security_group = var.security_group != ""
    tags           = local.tags
  }
}
