// What one class of the model in use is called in the evaluation text: MNIST classes are digits,
// CIFAR-10's are object classes (airplane, …, truck) of photos.
import { useTraining } from './trainingStore';

export interface ClassNoun {
  /** 'digit' or 'class' */
  noun: string;
  /** What the real data are: 'digits' or 'images'. */
  nouns: string;
  isCifar: boolean;
}

export function useClassNoun(): ClassNoun {
  const isCifar = useTraining((s) => s.model?.dataset === 'cifar10');
  return isCifar
    ? { noun: 'class', nouns: 'images', isCifar }
    : { noun: 'digit', nouns: 'digits', isCifar };
}
