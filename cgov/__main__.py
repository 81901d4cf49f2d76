from cgov.cli import main

main()
