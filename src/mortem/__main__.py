from mortem.cli.main import run

run()
