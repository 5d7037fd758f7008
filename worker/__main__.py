from worker.app.entry import main

main()
