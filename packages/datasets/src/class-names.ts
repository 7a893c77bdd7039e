/**
 * Fashion-MNIST's ten classes (Zalando article images), in label order 0–9: the names the dataset's
 * authors publish with it (https://github.com/zalandoresearch/fashion-mnist#labels).
 */
export const FASHION_MNIST_CLASS_NAMES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;

/** MNIST's ten classes by name: the digits "0"–"9". */
export const MNIST_CLASS_NAMES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;
