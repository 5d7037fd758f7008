from worker.cli import main

main(prog_name="mohinh")
