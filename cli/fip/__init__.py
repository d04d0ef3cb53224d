"""`fip`, the Federated Imputation Platform's command-line client for pipelines: sign in, upload
genotype files, submit imputation jobs, wait for them and download their results, over the
platform's HTTP API (`FIP_API_URL`), as a person or with a personal API token (`FIP_TOKEN`)."""
