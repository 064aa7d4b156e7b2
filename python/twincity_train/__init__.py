"""Fine-tuning a detector on TwinCity Studio datasets (driven by `twincity train`)."""
