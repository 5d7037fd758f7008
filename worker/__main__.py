from worker.app.cli import main

main(prog_name="mohinh")
