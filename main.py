from desktop import cli

raise SystemExit(cli.main())
