return ModelServer.Trainer.Cli.TrainerApp.Run(args);
