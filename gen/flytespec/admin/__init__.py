"""Generated protobuf modules of the flytespec.admin package. Do not edit: run `make gen`."""
